-- Connecting is two-step: the OAuth callback keeps what Microsoft granted as a pending connection, and only the
-- user who started the flow attaches it (POST .../connect/microsoft/complete). The browser holds the one-time
-- value; only its SHA-256 is stored, like the state of pending_authorization.
create table pending_connection (
    connection_hash         text primary key,
    user_id                 text not null,      -- who started the flow: the only user who may complete it
    provider                text not null,
    tenant_id               text not null,      -- id_token tid
    object_id               text not null,      -- id_token oid
    address                 text not null,      -- lower case
    display_name            text,
    access_token            text not null,      -- AES-256-GCM ciphertext
    access_token_expires_at timestamptz not null,
    refresh_token           text not null,      -- AES-256-GCM ciphertext
    scopes                  text,
    created_at              timestamptz not null,
    expires_at              timestamptz not null
);
create index pending_connection_expires_at on pending_connection (expires_at);

-- A mailbox is Microsoft's account (tenant id + object id), not the email claim, which Entra does not guarantee
-- is verified. Rows connected before this migration have no ids; the next connect of the same address fills them.
alter table mailbox add column tenant_id text, add column object_id text;
create unique index mailbox_user_account on mailbox (user_id, provider, tenant_id, object_id);
-- two accounts presenting the same address (a deleted and recreated user, a guest in another tenant) are two
-- mailboxes; the address stays for display and the IMAP/SMTP login
alter table mailbox drop constraint mailbox_user_address;
create index mailbox_user_address on mailbox (user_id, provider, address);

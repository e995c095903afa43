-- Provider settings an administrator saves (they win over configuration defaults).
create table provider_settings (
    provider      text primary key,
    tenant        text not null,
    client_id     text not null,
    client_secret text,                    -- AES-256-GCM ciphertext
    updated_at    timestamptz not null,
    updated_by    text not null
);

-- An authorization-code flow that was started and not yet completed: single use, short-lived.
create table pending_authorization (
    state_hash    text primary key,        -- SHA-256 of the state; the state itself is not stored
    user_id       text not null,
    provider      text not null,
    code_verifier text not null,           -- AES-256-GCM ciphertext
    nonce         text not null,
    redirect_uri  text not null,
    created_at    timestamptz not null,
    expires_at    timestamptz not null
);
create index pending_authorization_expires_at on pending_authorization (expires_at);

create table mailbox (
    id                      uuid primary key,
    user_id                 text not null,
    provider                text not null,
    address                 text not null,     -- lower case
    display_name            text,
    state                   text not null,
    state_reason            text,
    access_token            text,              -- AES-256-GCM ciphertext
    access_token_expires_at timestamptz,
    refresh_token           text,              -- AES-256-GCM ciphertext
    scopes                  text,
    created_at              timestamptz not null,
    updated_at              timestamptz not null,
    constraint mailbox_state_check check (state in ('ACTIVE', 'REAUTH_REQUIRED', 'DISABLED')),
    constraint mailbox_user_address unique (user_id, provider, address)
);

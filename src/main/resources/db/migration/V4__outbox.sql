-- Mail to send: the composed message (exactly the bytes handed to SMTP), its envelope and its delivery state.
-- Workers claim items with leases, like sync passes; an item found in 'sending' after its lease ran out (a crash
-- during the SMTP transaction), or marked 'reconcile' (the reply to the message was lost), is looked up in the
-- Sent folder by its Message-ID before it is sent again.
create table outbox (
    id                 uuid primary key,
    mailbox_id         uuid not null references mailbox (id) on delete cascade,
    idempotency_key    text,
    request_hash       text not null,
    message_id         text not null,
    subject            text,
    to_addr            jsonb not null default '[]',  -- [{name, address}]
    cc_addr            jsonb not null default '[]',
    bcc_addr           jsonb not null default '[]',
    envelope_to        text[] not null,
    mime               bytea,                        -- cleared once sent (the Sent folder has the copy)
    size               integer not null,
    state              text not null check (state in ('queued', 'sending', 'sent', 'failed')),
    reconcile          boolean not null default false,
    attempts           integer not null default 0,
    next_attempt_at    timestamptz not null default now(),
    lease_owner        text,
    lease_until        timestamptz,
    last_error_code    text,
    last_error_message text,
    server_response    text,
    created_at         timestamptz not null default now(),
    updated_at         timestamptz not null default now(),
    sent_at            timestamptz,
    constraint outbox_idempotency unique (mailbox_id, idempotency_key)
);

create index outbox_due on outbox (next_attempt_at) where state in ('queued', 'sending');
create index outbox_mailbox on outbox (mailbox_id, created_at desc, id desc);

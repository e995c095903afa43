-- Background sync: schedule and lease per mailbox, folders, messages.

-- Token refresh lease: one refresher per mailbox across replicas, no transaction held during the HTTP call.
alter table mailbox add column token_refresh_owner text;
alter table mailbox add column token_refresh_until timestamptz;

create table mailbox_sync (
    mailbox_id         uuid primary key references mailbox (id) on delete cascade,
    next_run_at        timestamptz not null default now(),
    requested_at       timestamptz,            -- a user asked for a pass (POST .../sync)
    lease_owner        text,                   -- replica running a pass
    lease_until        timestamptz,            -- a dead replica's lease runs out and is taken over
    last_started_at    timestamptz,
    last_finished_at   timestamptz,
    last_success_at    timestamptz,
    last_error_code    text,
    last_error_message text,
    failures           integer not null default 0,
    progress_folder    text,
    progress_done      integer,
    progress_total     integer
);
create index mailbox_sync_due on mailbox_sync (next_run_at);

create table folder (
    id             bigint generated always as identity primary key,
    mailbox_id     uuid not null references mailbox (id) on delete cascade,
    name           text not null,              -- decoded (not modified UTF-7), '/'-separated as the server's delimiter
    delimiter      text,
    special_use    text,                       -- \Sent, \Trash, ... (or inferred from well-known names)
    sync           boolean not null,
    uidvalidity    bigint,
    uidnext        bigint,
    highest_modseq bigint,                     -- CONDSTORE servers only
    sync_since     timestamptz,                -- initial-sync window start, fixed at the first pass
    messages       integer not null default 0, -- stored messages
    unseen         integer not null default 0,
    synced_at      timestamptz,
    constraint folder_mailbox_name unique (mailbox_id, name)
);

create table message (
    id              bigint generated always as identity primary key,
    mailbox_id      uuid not null references mailbox (id) on delete cascade,
    folder_id       bigint not null references folder (id) on delete cascade,
    uidvalidity     bigint not null,
    uid             bigint not null,
    message_id      text,
    in_reply_to     text,
    reference_ids   text[] not null default '{}',
    thread_id       text not null,
    subject         text,
    from_addr       jsonb not null default '[]',  -- [{name, address}]
    to_addr         jsonb not null default '[]',
    cc_addr         jsonb not null default '[]',
    bcc_addr        jsonb not null default '[]',
    reply_to        jsonb not null default '[]',
    sent_at         timestamptz,
    internal_date   timestamptz not null,
    seen            boolean not null,
    flagged         boolean not null,
    answered        boolean not null,
    draft           boolean not null,
    deleted         boolean not null,
    keywords        text[] not null default '{}',
    size            integer not null,
    snippet         text,
    text_body       text,
    html_body       text,
    attachments     jsonb not null default '[]',  -- [{id, part, filename, contentType, size, contentId, inline}]
    has_attachments boolean not null,
    malformed       boolean not null default false,
    parse_problems  text,
    stored_at       timestamptz not null default now(),
    constraint message_folder_uid unique (folder_id, uidvalidity, uid)
);
create index message_mailbox_date on message (mailbox_id, internal_date desc, id desc);
create index message_thread on message (mailbox_id, thread_id);
create index message_message_id on message (mailbox_id, message_id);

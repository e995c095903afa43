-- Push (IMAP IDLE): a folder the user wants pushed, the replica watching each mailbox, and the replicas alive to
-- share the watches between them.

alter table folder add column push boolean not null default false;

create table mailbox_watch (
    mailbox_id     uuid primary key references mailbox (id) on delete cascade,
    lease_owner    text,                    -- replica holding the mailbox's IDLE connections
    lease_until    timestamptz,             -- renewed every poll; a dead replica's lease runs out and is taken over
    started_at     timestamptz,             -- when the current owner claimed it
    folders        text[] not null default '{}', -- folders in IDLE now
    idle_supported boolean,                 -- null: not known yet; false: the server offers no IDLE (periodic pass only)
    checked_at     timestamptz,             -- when idle_supported was learned
    last_error     text,
    last_error_at  timestamptz
);
create index mailbox_watch_owner on mailbox_watch (lease_owner);

create table push_replica (
    owner       text primary key,           -- ReplicaId
    alive_until timestamptz not null        -- renewed every poll; live replicas share the watches evenly
);

-- One durable log of what changed, read by the change feed (per mailbox), server-sent events (per user) and the
-- webhook fan-out (all). Rows are ordered by (tx, id): an event counts as written only once every transaction
-- older than it has ended (tx < pg_snapshot_xmin(pg_current_snapshot())), so a reader that has seen position P
-- never later finds an event before P (an identity alone would: ids are handed out before commit).
create table event (
    id         bigint generated always as identity primary key,
    tx         xid8 not null default pg_current_xact_id(),
    user_id    text not null,
    mailbox_id uuid not null references mailbox (id) on delete cascade,
    type       text not null,             -- message.created, message.updated, ... (EventType)
    message_id bigint,                    -- message.* events
    folder     text,                      -- message.* events: the folder's name
    announce   boolean not null default true, -- false: for the change feed only (a folder's first fill)
    data       jsonb,                     -- further fields of the event (outbox item, sync status, ...)
    created_at timestamptz not null default now()
);
create index event_order on event (tx, id);
create index event_mailbox on event (mailbox_id, tx, id);

-- The newest position deleted by retention: a change-feed state before it cannot be answered (410).
create table event_horizon (
    single boolean primary key default true check (single),
    tx     xid8 not null,
    id     bigint not null
);
insert into event_horizon (tx, id) values ('0', 0);

-- One notification per writing transaction wakes the readers on every replica (payload-free: they read the table).
create function event_notify() returns trigger language plpgsql as $$
begin
    perform pg_notify('mailsync_event', '');
    return null;
end $$;
create trigger event_notify after insert on event for each statement execute function event_notify();

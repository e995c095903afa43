-- Webhooks: subscriptions, the fan-out cursor over the event log, and the delivery queue.

-- A subscription: a user's (events of their mailboxes) or, scope 'all', an administrator's for every mailbox.
create table webhook (
    id                  uuid primary key,
    user_id             text not null,
    scope               text not null check (scope in ('user', 'all')),
    url                 text not null,
    events              text[] not null,        -- event types, or '*' for all
    secret              text not null,          -- whsec_..., encrypted (SecretColumn.WEBHOOK_SECRET)
    state               text not null default 'active' check (state in ('active', 'disabled')),
    disabled_reason     text,
    disabled_at         timestamptz,
    exhausted_in_a_row  integer not null default 0, -- deliveries that failed every attempt since the last success
    created_at          timestamptz not null default now()
);
create index webhook_user on webhook (user_id, created_at, id);

-- How far the fan-out has turned settled events into deliveries. One row, locked by the replica fanning out.
create table webhook_cursor (
    single boolean primary key default true check (single),
    tx     xid8 not null,
    id     bigint not null
);
insert into webhook_cursor (tx, id)
select coalesce((select tx from event order by tx desc, id desc limit 1), '0'),
       coalesce((select id from event order by tx desc, id desc limit 1), 0);

-- One event for one webhook: claimed with a lease (like the outbox), retried on a schedule, kept for the listing.
create table webhook_delivery (
    id              uuid primary key,
    webhook_id      uuid not null references webhook (id) on delete cascade,
    event_type      text not null,
    body            text not null,              -- the exact bytes signed and sent on every attempt
    state           text not null check (state in ('pending', 'delivering', 'delivered', 'failed')),
    attempts        integer not null default 0,
    next_attempt_at timestamptz not null default now(),
    lease_owner     text,
    lease_until     timestamptz,
    attempt_log     jsonb not null default '[]', -- [{at, status, error, millis}], newest last
    last_status     integer,
    last_error      text,
    response        text,                       -- a short, sanitised excerpt of the last response body
    created_at      timestamptz not null default now(),
    updated_at      timestamptz not null default now(),
    delivered_at    timestamptz
);
create index webhook_delivery_due on webhook_delivery (next_attempt_at) where state in ('pending', 'delivering');
create index webhook_delivery_list on webhook_delivery (webhook_id, created_at desc, id desc);
create index webhook_delivery_done on webhook_delivery (updated_at) where state in ('delivered', 'failed');

-- Exchange Online throttles busy mailboxes ("BAD Request is throttled. Suggested Backoff Time: N milliseconds"):
-- the time until which a mailbox's IMAP server is left alone, for the sync, push watchers and the API of every replica.
create table imap_backoff (
    mailbox_id uuid primary key references mailbox (id) on delete cascade,
    until      timestamptz not null,
    what       text not null            -- what was throttled: login, sync, push, api, outbox
);

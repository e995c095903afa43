-- The messages stored and not yet indexed for search wait in a queue: the store adds them in the transaction that
-- stores them, indexing after the pass takes them out (MessageStore.indexForSearch). Before, indexing found them
-- with "search is null" among all the mailbox's messages: a scan of the whole mailbox after every pass, even when
-- nothing was new (16 ms for 10,000 messages; it grows with the mailbox, and there is a pass every few minutes).
-- The vectors stay in the message row: a narrow table of vectors made indexing cheaper (3.6 rather than 5.7
-- PostgreSQL CPU-seconds per 10,000 messages) but every search 1.6 times dearer, and parallel plans of its join
-- under 16 concurrent searches six times slower at p99 (docs/benchmarks.md).
create table search_pending (
    message_id bigint primary key,                                         -- a message deleted since: skipped
    mailbox_id uuid   not null references mailbox (id) on delete cascade
);
create index search_pending_mailbox on search_pending (mailbox_id);
insert into search_pending (message_id, mailbox_id) select id, mailbox_id from message where search is null;

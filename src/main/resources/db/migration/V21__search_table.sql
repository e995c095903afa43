-- The search vectors move from the message row to a narrow table of their own, and the messages waiting for one
-- are listed in a queue. Indexing after a pass updated the wide message row: a new version of the whole row and an
-- entry in each of its eight other indexes (no HOT update: the vector itself is indexed), then the old versions to
-- vacuum; the stored message also carried a null entry in the GIN index from its insert on. Inserting a narrow row
-- instead cost 3.6 rather than 5.7 PostgreSQL CPU-seconds for 10,000 messages (docs/benchmarks.md).
-- search_pending holds the messages stored and not yet indexed (the store adds them in the transaction that stores
-- the messages; indexing takes them out): finding them takes no scan of the mailbox's messages and no plan that
-- depends on how fresh the statistics of message_search are (an anti-join planned while it was empty read it once
-- per message: 13 s for 10,000). Vectors already computed move; messages without one wait in the queue.
drop index message_search;
create table message_search (
    message_id bigint primary key references message (id) on delete cascade,
    search     tsvector not null
);
insert into message_search (message_id, search) select id, search from message where search is not null;
alter table message drop column search;
create index message_search_vector on message_search using gin (search);

create table search_pending (
    message_id bigint primary key,                                         -- a message deleted since: skipped
    mailbox_id uuid   not null references mailbox (id) on delete cascade
);
create index search_pending_mailbox on search_pending (mailbox_id);
insert into search_pending (message_id, mailbox_id)
select m.id, m.mailbox_id from message m where not exists (select 1 from message_search s where s.message_id = m.id);

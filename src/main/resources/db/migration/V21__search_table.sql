-- The search vectors move from the message row to a narrow table of their own. Indexing after a pass inserted them
-- with an UPDATE of the wide message row: a new version of the whole row and an entry in each of its eight other
-- indexes (no HOT update: the vector itself is indexed), then the old versions to vacuum; the stored message also
-- carried a null entry in the GIN index from its insert on. Inserting a narrow row instead cost 3.6 rather than
-- 5.7 PostgreSQL CPU-seconds for 10,000 messages (docs/benchmarks.md). Vectors already computed move with it.
drop index message_search;
create table message_search (
    message_id bigint primary key references message (id) on delete cascade,
    search     tsvector not null
);
insert into message_search (message_id, search) select id, search from message where search is not null;
alter table message drop column search;
create index message_search_vector on message_search using gin (search);

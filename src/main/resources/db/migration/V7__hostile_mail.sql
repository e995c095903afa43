-- Hostile and large mail: bodies cut to mailsync.sync.max-body-size, the text of HTML-only bodies extracted at
-- ingest (search indexing no longer runs a regular expression over HTML), folders missing from LIST kept a while.
alter table message add column truncated boolean not null default false;  -- a body was cut (raw has it all)
alter table message add column html_text text;                            -- HTML-only bodies: their text, 20,000 chars
alter table folder add column gone_since timestamptz;                     -- missing from the server's LIST since

-- Reading and searching messages: exact address columns, the List-Unsubscribe header, full-text search.

alter table message add column from_address text;                       -- lower case
alter table message add column to_addresses text[] not null default '{}'; -- To, Cc, Bcc; lower case
alter table message add column list_unsubscribe text;
-- 'simple' configuration: no stemming, so mail in any language (or several) is searchable word by word
alter table message add column search tsvector;

update message set
    from_address = lower(from_addr -> 0 ->> 'address'),
    to_addresses = coalesce((select array_agg(lower(a ->> 'address'))
                             from jsonb_array_elements(to_addr || cc_addr || bcc_addr) a
                             where a ->> 'address' is not null), '{}');
update message set search =
    setweight(to_tsvector('simple', coalesce(subject, '')), 'A')
    || setweight(to_tsvector('simple', coalesce(from_addr::text, '') || ' ' || to_addr::text || ' ' || cc_addr::text), 'B')
    || to_tsvector('simple', left(coalesce(text_body, snippet, ''), 200000));

create index message_search on message using gin (search);
create index message_to_addresses on message using gin (to_addresses);
create index message_from on message (mailbox_id, from_address);
-- newest first; INTERNALDATE has one-second granularity, so ties go by UID (arrival order), then id
drop index message_mailbox_date;
create index message_mailbox_date on message (mailbox_id, internal_date desc, uid desc, id desc);
create index message_folder_date on message (folder_id, internal_date desc, uid desc, id desc);

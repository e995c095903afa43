-- The search vector held the JSON keys of the address lists ("name", "address"), so searching for either word found
-- every message. It is now made of the subject and body and of the address lists' strings only
-- (MessageStore.indexForSearch). Every message is indexed again by its mailbox's next pass, right after it.
update message set search = null where search is not null;

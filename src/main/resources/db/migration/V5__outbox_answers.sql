-- A sent reply marks the message it answers \Answered (on the server, then in the store), as mail clients do.
alter table outbox add column answers_message_id bigint;

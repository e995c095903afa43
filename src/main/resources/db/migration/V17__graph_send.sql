-- Sending through Microsoft Graph: a mailbox whose SMTP AUTH Microsoft refused (535 5.7.139) while
-- mailsync.microsoft.send-transport is auto is switched to Graph and stays there (null: the configured default;
-- 'smtp', set by an operator, keeps a mailbox on SMTP in auto);
-- each outbox item records the transport of its last attempt (null: none reached a transport yet).
alter table mailbox add column send_transport text check (send_transport in ('smtp', 'graph'));
alter table outbox add column transport text check (transport in ('smtp', 'graph'));

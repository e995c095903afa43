-- Shared mailboxes (issue 13): a mailbox reached with another mailbox's grant. It has no tokens of its own: IMAP
-- logs in as its address with the Outlook token of the mailbox it is reached through ("via"), and it goes when that
-- mailbox is disconnected (its sync lease, watch, folders, messages, outbox and events cascade with it).
alter table mailbox
    add column kind text not null default 'personal',
    add column via  uuid references mailbox (id) on delete cascade,
    add constraint mailbox_kind_check check (kind in ('personal', 'shared')),
    add constraint mailbox_shared_via check ((kind = 'shared') = (via is not null)),
    add constraint mailbox_shared_no_tokens check (kind = 'personal' or (access_token is null and refresh_token is null));

-- one shared mailbox per address and user (whichever mailbox it is reached through); finds a delegate's shared ones
create unique index mailbox_shared_address on mailbox (user_id, provider, address) where kind = 'shared';
create index mailbox_via on mailbox (via) where via is not null;

-- Issue 13: a mailbox's grant serves two resources, Outlook (IMAP, SMTP) and Microsoft Graph, one access token each.
-- The Graph token is cached like the Outlook one (encrypted, bound to the row); graph_consent_missing_at remembers
-- that Microsoft refused Graph for this grant (AADSTS65001), so it is not asked again at every use.
alter table mailbox
    add column graph_token text,
    add column graph_token_expires_at timestamptz,
    add column graph_consent_missing_at timestamptz;

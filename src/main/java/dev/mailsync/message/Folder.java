package dev.mailsync.message;

import java.time.Instant;
import java.util.UUID;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.GenerationType;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

/** A folder of a mailbox as last seen on the server, with its sync position. */
@Entity
@Table(name = "folder")
public class Folder {

    @Id
    @GeneratedValue(strategy = GenerationType.IDENTITY)
    public Long id;

    @Column(name = "mailbox_id", nullable = false)
    public UUID mailboxId;

    @Column(nullable = false)
    public String name;

    public String delimiter;

    @Column(name = "special_use")
    public String specialUse;

    /** Whether the background sync keeps this folder in step. */
    @Column(nullable = false)
    public boolean sync;

    /** Whether a connection in IDLE watches this folder (INBOX always is), within the per-mailbox budget. */
    @Column(nullable = false)
    public boolean push;

    public Long uidvalidity;

    public Long uidnext;

    @Column(name = "highest_modseq")
    public Long highestModseq;

    @Column(name = "sync_since")
    public Instant syncSince;

    @Column(nullable = false)
    public int messages;

    @Column(nullable = false)
    public int unseen;

    @Column(name = "synced_at")
    public Instant syncedAt;

    /** Missing from the server's folder list since then (hidden, not synced; deleted after a while). */
    @Column(name = "gone_since")
    public Instant goneSince;
}

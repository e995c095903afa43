-- Every encryption key that stored secrets may be encrypted with, and a value only that key produces. At start-up
-- a replica whose keys do not cover this table stops (see KeyCheck); key rotation deletes a key's row once no
-- value under it remains.
create table encryption_key (
    key_id        text primary key,          -- first 4 bytes of SHA-256 of the key, hex
    check_value   text not null,             -- AES-256-GCM of a constant, bound to 'encryption_key:<key_id>'
    first_used_at timestamptz not null default now()
);

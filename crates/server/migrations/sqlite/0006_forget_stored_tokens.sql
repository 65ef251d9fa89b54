-- Replies to key creation kept under an Idempotency-Key once held the new key's token in plain
-- text. Such replies are no longer kept (a stand-in without the token is); forget those stored
-- before. Their requests may then run again under the same key, which only creates another key.
DELETE FROM idempotency WHERE body LIKE '%"appToken"%';

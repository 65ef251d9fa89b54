-- The company-credit API (core's `company`): each account's number in it (`credit_id`, given
-- when the account is first written, never reused), its company's (`company_id`: the credit
-- id unless the store gives its own; one account per company), its currency (NULL: the
-- store's), whether it may exceed its limit, and the comment of its last limit update.
-- Accounts that exist at this upgrade are numbered in the order they were opened.
ALTER TABLE accounts ADD COLUMN credit_id BIGINT NOT NULL DEFAULT 0;
ALTER TABLE accounts ADD COLUMN company_id BIGINT NOT NULL DEFAULT 0;
ALTER TABLE accounts ADD COLUMN currency_code TEXT;
ALTER TABLE accounts ADD COLUMN exceed_limit BOOLEAN NOT NULL DEFAULT FALSE;
ALTER TABLE accounts ADD COLUMN credit_comment TEXT;
UPDATE accounts SET credit_id = numbered.n, company_id = numbered.n
FROM (SELECT id, ROW_NUMBER() OVER (ORDER BY created_at_us, id) AS n FROM accounts) AS numbered
WHERE accounts.id = numbered.id;
CREATE UNIQUE INDEX accounts_credit_id ON accounts (credit_id);
CREATE UNIQUE INDEX accounts_company_id ON accounts (company_id);
-- That API signs in with `Authorization: Bearer <app token>`: keys found by their token's hash.
CREATE INDEX api_keys_by_token ON api_keys (token_sha256);
-- A balance operation's entry (`increaseBalance` / `decreaseBalance`): the operation type it
-- was given (NULL: its kind's) and its purchase order number.
ALTER TABLE entries ADD COLUMN operation_type INTEGER;
ALTER TABLE entries ADD COLUMN purchase_order TEXT;

-- Account search by document (`GET /accounts?document=…`, as integrations of the earlier
-- reference search).
CREATE INDEX accounts_by_document ON accounts (document);

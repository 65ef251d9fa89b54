-- The store's tenant locator (a UUID): the billing-credits API's `{tenantLocator}`. Set once,
-- by the first server that starts on this database (`Db::connect`), and never changed.
ALTER TABLE store_config ADD COLUMN tenant_locator TEXT;

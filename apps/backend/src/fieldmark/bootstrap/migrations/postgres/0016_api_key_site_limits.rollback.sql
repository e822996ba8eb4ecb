ALTER TABLE api_keys DROP CONSTRAINT api_keys_limit_not_empty;
-- Revoked keys keep their emptied list; only live keys matter for the old "empty means every site" rule.
UPDATE api_keys SET site_ids = '{}' WHERE site_ids IS NULL;
ALTER TABLE api_keys ALTER COLUMN site_ids SET DEFAULT '{}', ALTER COLUMN site_ids SET NOT NULL;

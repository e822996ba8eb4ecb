-- A key's site limit can no longer widen by accident: "every site of the team" is NULL, a limit is a
-- non-empty list. Removing a deleted site from a list never yields NULL (array_remove leaves '{}'), and a
-- live key may not hold an empty list: the key that loses its last site is revoked in the same statement.
ALTER TABLE api_keys ALTER COLUMN site_ids DROP DEFAULT, ALTER COLUMN site_ids DROP NOT NULL;
-- Keys created without a limit were stored as '{}'. (A key widened by the old rule cannot be told from
-- them; docs/permissions.md asks operators to review keys that were limited before this release.)
UPDATE api_keys SET site_ids = NULL WHERE cardinality(site_ids) = 0;
ALTER TABLE api_keys ADD CONSTRAINT api_keys_limit_not_empty
    CHECK (site_ids IS NULL OR cardinality(site_ids) > 0 OR revoked_at IS NOT NULL);

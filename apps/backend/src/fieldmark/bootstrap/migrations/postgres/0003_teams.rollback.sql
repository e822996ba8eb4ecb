ALTER TABLE sites DROP CONSTRAINT sites_team_fk;
DROP INDEX sites_team_idx;
DROP TABLE memberships;
DROP TABLE teams;

-- The role permissions a release has shipped, so that the next release grants only what it adds
-- and withdraws only what it took away, leaving a security administrator's own changes alone.
-- Every pair held when this table appears was put there by a release (no route edited roles).
CREATE TABLE shipped_role_permission (
  role TEXT NOT NULL REFERENCES role (name),
  permission TEXT NOT NULL REFERENCES permission (name),
  PRIMARY KEY (role, permission)
);

INSERT INTO shipped_role_permission (role, permission)
SELECT role, permission FROM role_permission;

-- The table examples/sqlx.rs fills: one row per task, tagged with the run that wrote it so that
-- runs from several processes against the one shared server never see each other's rows.
CREATE TABLE IF NOT EXISTS runtime_sqlx_notes (
    id    bigserial PRIMARY KEY,
    run   text    NOT NULL,
    task  integer NOT NULL,
    note  text    NOT NULL,
    UNIQUE (run, task)
);

CREATE TABLE event_statistic (
    event_statistic_id INTEGER PRIMARY KEY,
    event_id           INTEGER NOT NULL REFERENCES event (event_id) ON DELETE CASCADE,
    total_view_count   INTEGER NOT NULL DEFAULT 0,
    created_at         TEXT    NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now'))
);

CREATE INDEX event_statistic_event_id_idx ON event_statistic (event_id);

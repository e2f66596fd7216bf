-- One row per event statistic and calendar day ('YYYY-MM-DD'). Reads assume every day from
-- registration start to event end has a row; legacy events need them backfilled (V4).
CREATE TABLE event_view_metric (
    event_view_metric_id INTEGER PRIMARY KEY,
    event_statistic_id   INTEGER NOT NULL
        REFERENCES event_statistic (event_statistic_id) ON DELETE CASCADE,
    view_date            TEXT    NOT NULL,
    view_count           INTEGER NOT NULL DEFAULT 0 CHECK (view_count >= 0),
    created_at           TEXT    NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now')),
    updated_at           TEXT    NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now')),
    CONSTRAINT event_view_metric_statistic_day_uk UNIQUE (event_statistic_id, view_date)
);

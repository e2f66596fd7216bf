-- Daily views per event, summed over its statistics.
CREATE OR REPLACE VIEW event_daily_views AS
SELECT es.event_id,
       m.view_date,
       sum(m.view_count) AS view_count
FROM event_view_metric m
JOIN event_statistic es ON es.event_statistic_id = m.event_statistic_id
GROUP BY es.event_id, m.view_date;

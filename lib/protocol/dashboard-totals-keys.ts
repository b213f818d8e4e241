// Keys of the dashboard's running totals ("DashboardTotal") that readers need too.

/** The roundId of a project-wide total (per day, per voter). */
export const PROJECT_WIDE = "00000000-0000-0000-0000-000000000000";

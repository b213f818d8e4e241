export const roles = ["ADMIN", "LEAD", "MD", "EXPORTER"] as const;
export type Role = (typeof roles)[number];

export type Actor = { userId: string; isAdmin: boolean };

import { z } from "zod";

// Zod compiles object parsers with `new Function` when it can. In the browser that probe counts as
// a Content-Security-Policy violation (no 'unsafe-eval'), so modules shipped to pages parse without it.
if (typeof window !== "undefined") z.config({ jitless: true });

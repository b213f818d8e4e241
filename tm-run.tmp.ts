import { run } from "./tm-bench-mem.tmp";
console.log(await run());
process.exit(0);

// Every write of the vote: ballots and votes (ballots.ts), ballot leases (lease.ts), and readying a
// round's candidates for a content-blind vote (prepare.ts). Import from here.
import "server-only";

export { castVote, nextBallot, recordDuel, resolveDispute } from "./ballots";
export { holdBallot, releaseBallot } from "./lease";
export { applyCandidatesPlan, planCandidates, type CandidatesPlan } from "./prepare";

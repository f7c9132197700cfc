/**
 * `npm run bench`: every benchmark, printing figures one a line. Nothing
 * here passes or fails on speed; the numbers are for reading.
 */
import { section } from "./report.js";
import { benchIp } from "./ip.js";

section("IP layer");
benchIp();

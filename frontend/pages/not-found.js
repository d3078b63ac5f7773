// 404 page (served by the gateway for any unknown path).
import { initPage } from "../app.js";

await initPage({ page: "404" });

// One worker process of the kill test: serves every queue until SIGTERM (or a SIGKILL).
import { type KillDeployment, openStore, queuedOf } from "./deployment.js";

const deployment = JSON.parse(process.env.KILL_DEPLOYMENT ?? "{}") as KillDeployment;
const store = openStore(deployment);
const { queued } = queuedOf(deployment, store);
const worker = await queued.startWorker({ concurrency: 2 });
process.stdout.write("ready\n");
process.once("SIGTERM", () => {
  void worker
    .close()
    .then(() => queued.close())
    .then(() => store.close())
    .then(() => process.exit(0));
});

// tsc --noEmit must accept the `tasks` forms docs/api.md shows ("## Tasks").
import { HttpUser, type TaskEntry, type TaskList, TaskSet } from "cicada-load";

class Forum extends TaskSet {}
function browse(user: HttpUser): Promise<unknown> {
  return user.client.get("/");
}

export class WithArray extends HttpUser {
  async home() {}
  tasks: TaskList = [this.home, [Forum, 2]];
}

export class WithMap extends HttpUser {
  tasks: TaskList = new Map<TaskEntry, number>([
    [browse, 3],
    [Forum, 1],
  ]);
}

/** Something an emulator recorded for one robot (a message it accepted, a request and its answer). */
export interface Entry {
  /** The robot's token (or application id) it was for. */
  robot: string;
}

/** What an emulator recorded, oldest first, for tests to assert on. */
export class Journal<T extends Entry> {
  private readonly entries: T[] = [];

  add(entry: T): void {
    this.entries.push(entry);
  }

  /** Entries for one robot, or all. */
  list(robot?: string): T[] {
    return robot === undefined ? [...this.entries] : this.entries.filter((e) => e.robot === robot);
  }

  clear(): void {
    this.entries.length = 0;
  }
}

/** A request an emulator answered, with the code it answered (0 for success). */
export interface AnsweredRequest extends Entry {
  receivedAt: number;
  code: number;
}

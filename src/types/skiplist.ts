// The ordered index of a sorted set: Redis's skip list with spans (t_zset.c zsl*), ordered by
// score, then by member bytes (latin1 strings compare like memcmp). O(log n) insert, delete,
// rank and seek by score, member or rank; nodes link backwards for reverse walks.

/** Most levels a node gets (ZSKIPLIST_MAXLEVEL) and the level promotion chance (ZSKIPLIST_P). */
const MAX_LEVEL = 32;
const P = 0.25;

export class ZNode {
  /** Next node at each level. */
  readonly next: Array<ZNode | null>;
  /** Nodes skipped by next[i] (rank distance), as Redis's level[i].span. */
  readonly span: number[];
  /** Previous node at level 0, null for the first. */
  prev: ZNode | null = null;

  constructor(
    readonly member: string,
    public score: number,
    level: number,
  ) {
    this.next = new Array<ZNode | null>(level).fill(null);
    this.span = new Array<number>(level).fill(0);
  }
}

/** A score interval (zrangespec): min and max, each inclusive or exclusive. */
export interface ScoreRange {
  min: number;
  max: number;
  minExclusive: boolean;
  maxExclusive: boolean;
}

/** One end of a lex interval: -1 is "-" (below everything), 1 is "+" (above), 0 a member. */
export interface LexBound {
  inf: -1 | 0 | 1;
  value: string;
  exclusive: boolean;
}

export interface LexRange {
  min: LexBound;
  max: LexBound;
}

export function scoreGteMin(score: number, r: ScoreRange): boolean {
  return r.minExclusive ? score > r.min : score >= r.min;
}

export function scoreLteMax(score: number, r: ScoreRange): boolean {
  return r.maxExclusive ? score < r.max : score <= r.max;
}

/** A member against a bound (sdscmplex): negative, zero or positive. */
function compareLex(member: string, b: LexBound): number {
  if (b.inf !== 0) return -b.inf;
  return member < b.value ? -1 : member > b.value ? 1 : 0;
}

export function lexGteMin(member: string, r: LexRange): boolean {
  const c = compareLex(member, r.min);
  return r.min.exclusive ? c > 0 : c >= 0;
}

export function lexLteMax(member: string, r: LexRange): boolean {
  const c = compareLex(member, r.max);
  return r.max.exclusive ? c < 0 : c <= 0;
}

/** True when no member can fall in the range (min above max, or equal and one exclusive). */
export function scoreRangeEmpty(r: ScoreRange): boolean {
  return r.min > r.max || (r.min === r.max && (r.minExclusive || r.maxExclusive));
}

export function lexRangeEmpty(r: LexRange): boolean {
  const a = r.min;
  const b = r.max;
  let c: number;
  if (a.inf === b.inf && a.inf !== 0) c = 0;
  else if (a.inf === -1 || b.inf === 1) c = -1;
  else if (a.inf === 1 || b.inf === -1) c = 1;
  else c = a.value < b.value ? -1 : a.value > b.value ? 1 : 0;
  return c > 0 || (c === 0 && (a.exclusive || b.exclusive));
}

/** True when (score, member) sorts before the node. */
function before(node: ZNode, score: number, member: string): boolean {
  return node.score < score || (node.score === score && node.member < member);
}

export class SkipList {
  private readonly head = new ZNode('', 0, MAX_LEVEL);
  private level = 1;
  length = 0;
  tail: ZNode | null = null;
  /** Scratch arrays for insert/delete, reused (the data path is single-threaded). */
  private readonly update: ZNode[] = new Array<ZNode>(MAX_LEVEL);
  private readonly rank: number[] = new Array<number>(MAX_LEVEL).fill(0);

  constructor(private readonly random: () => number = Math.random) {}

  get first(): ZNode | null {
    return this.head.next[0];
  }

  private randomLevel(): number {
    let level = 1;
    while (level < MAX_LEVEL && this.random() < P) level++;
    return level;
  }

  /** Inserts a member that is not in the list (the caller checks with its member map). */
  insert(score: number, member: string): ZNode {
    const update = this.update;
    const rank = this.rank;
    let x = this.head;
    for (let i = this.level - 1; i >= 0; i--) {
      rank[i] = i === this.level - 1 ? 0 : rank[i + 1];
      let n = x.next[i];
      while (n !== null && before(n, score, member)) {
        rank[i] += x.span[i];
        x = n;
        n = x.next[i];
      }
      update[i] = x;
    }
    const level = this.randomLevel();
    if (level > this.level) {
      for (let i = this.level; i < level; i++) {
        rank[i] = 0;
        update[i] = this.head;
        this.head.span[i] = this.length;
      }
      this.level = level;
    }
    const node = new ZNode(member, score, level);
    for (let i = 0; i < level; i++) {
      const u = update[i];
      node.next[i] = u.next[i];
      u.next[i] = node;
      node.span[i] = u.span[i] - (rank[0] - rank[i]);
      u.span[i] = rank[0] - rank[i] + 1;
    }
    for (let i = level; i < this.level; i++) update[i].span[i]++;
    node.prev = update[0] === this.head ? null : update[0];
    const after = node.next[0];
    if (after !== null) after.prev = node;
    else this.tail = node;
    this.length++;
    return node;
  }

  /** Unlinks `x` given the predecessors at each level (zslDeleteNode). */
  private unlink(x: ZNode, update: ZNode[]): void {
    for (let i = 0; i < this.level; i++) {
      const u = update[i];
      if (u.next[i] === x) {
        u.span[i] += x.span[i] - 1;
        u.next[i] = x.next[i];
      } else {
        u.span[i]--;
      }
    }
    const after = x.next[0];
    if (after !== null) after.prev = x.prev;
    else this.tail = x.prev;
    while (this.level > 1 && this.head.next[this.level - 1] === null) this.level--;
    this.length--;
  }

  /** Deletes the node with this score and member; false when there is none. */
  delete(score: number, member: string): boolean {
    const update = this.update;
    let x = this.head;
    for (let i = this.level - 1; i >= 0; i--) {
      let n = x.next[i];
      while (n !== null && before(n, score, member)) {
        x = n;
        n = x.next[i];
      }
      update[i] = x;
    }
    const target = x.next[0];
    if (target === null || target.score !== score || target.member !== member) return false;
    this.unlink(target, update);
    return true;
  }

  /** Changes the score of a member (zslUpdateScore): in place when its position holds. */
  updateScore(score: number, member: string, newScore: number): ZNode {
    const update = this.update;
    let x = this.head;
    for (let i = this.level - 1; i >= 0; i--) {
      let n = x.next[i];
      while (n !== null && before(n, score, member)) {
        x = n;
        n = x.next[i];
      }
      update[i] = x;
    }
    const node = x.next[0];
    if (node === null || node.score !== score || node.member !== member) throw new Error('skiplist: updateScore of a missing member');
    const after = node.next[0];
    if (
      (node.prev === null || node.prev.score < newScore || (node.prev.score === newScore && node.prev.member < member)) &&
      (after === null || after.score > newScore || (after.score === newScore && after.member > member))
    ) {
      node.score = newScore;
      return node;
    }
    this.unlink(node, update);
    return this.insert(newScore, member);
  }

  /** 1-based rank of (score, member), 0 when absent (zslGetRank). */
  rankOf(score: number, member: string): number {
    let rank = 0;
    let x = this.head;
    for (let i = this.level - 1; i >= 0; i--) {
      let n = x.next[i];
      while (n !== null && (before(n, score, member) || (n.score === score && n.member === member))) {
        rank += x.span[i];
        x = n;
        n = x.next[i];
      }
      if (x !== this.head && x.member === member && x.score === score) return rank;
    }
    return 0;
  }

  /** The node at a 1-based rank, or null (zslGetElementByRank). */
  byRank(rank: number): ZNode | null {
    if (rank < 1 || rank > this.length) return null;
    let traversed = 0;
    let x = this.head;
    for (let i = this.level - 1; i >= 0; i--) {
      let n = x.next[i];
      while (n !== null && traversed + x.span[i] <= rank) {
        traversed += x.span[i];
        x = n;
        n = x.next[i];
      }
      if (traversed === rank) return x;
    }
    return null;
  }

  private inScoreRange(r: ScoreRange): boolean {
    if (scoreRangeEmpty(r)) return false;
    const tail = this.tail;
    if (tail === null || !scoreGteMin(tail.score, r)) return false;
    const first = this.head.next[0];
    return first !== null && scoreLteMax(first.score, r);
  }

  /**
   * The last node, walking forward from the head and descending the levels, for which
   * `before` holds (the head when none does): the descent shared by the *InRange seeks.
   */
  private lastWhere(before: (n: ZNode) => boolean): ZNode {
    let x = this.head;
    for (let i = this.level - 1; i >= 0; i--) {
      let n = x.next[i];
      while (n !== null && before(n)) {
        x = n;
        n = x.next[i];
      }
    }
    return x;
  }

  /** The first node with a score in range (zslFirstInRange). */
  firstInRange(r: ScoreRange): ZNode | null {
    if (!this.inScoreRange(r)) return null;
    const x = this.lastWhere((n) => !scoreGteMin(n.score, r));
    const node = x.next[0];
    return node !== null && scoreLteMax(node.score, r) ? node : null;
  }

  /** The last node with a score in range (zslLastInRange). */
  lastInRange(r: ScoreRange): ZNode | null {
    if (!this.inScoreRange(r)) return null;
    const x = this.lastWhere((n) => scoreLteMax(n.score, r));
    return x !== this.head && scoreGteMin(x.score, r) ? x : null;
  }

  /** False when no member can be in the lex range (zslIsInLexRange). */
  lexRangeMayMatch(r: LexRange): boolean {
    if (lexRangeEmpty(r)) return false;
    const tail = this.tail;
    if (tail === null || !lexGteMin(tail.member, r)) return false;
    const first = this.head.next[0];
    return first !== null && lexLteMax(first.member, r);
  }

  /**
   * The first node in a lex range found by descending the levels (zslFirstInLexRange); only
   * meaningful when all scores are equal, like Redis's.
   */
  firstInLexRange(r: LexRange): ZNode | null {
    if (!this.lexRangeMayMatch(r)) return null;
    const x = this.lastWhere((n) => !lexGteMin(n.member, r));
    const node = x.next[0];
    return node !== null && lexLteMax(node.member, r) ? node : null;
  }

  lastInLexRange(r: LexRange): ZNode | null {
    if (!this.lexRangeMayMatch(r)) return null;
    const x = this.lastWhere((n) => lexLteMax(n.member, r));
    return x !== this.head && lexGteMin(x.member, r) ? x : null;
  }

  /** The first node at or after the lex minimum, without the range pre-checks (zslDeleteRangeByLex). */
  seekLexMin(r: LexRange): ZNode | null {
    let x = this.head;
    for (let i = this.level - 1; i >= 0; i--) {
      let n = x.next[i];
      while (n !== null && !lexGteMin(n.member, r)) {
        x = n;
        n = x.next[i];
      }
    }
    return x.next[0];
  }

  /** The first node at or after the score minimum, without the range pre-checks. */
  seekScoreMin(r: ScoreRange): ZNode | null {
    let x = this.head;
    for (let i = this.level - 1; i >= 0; i--) {
      let n = x.next[i];
      while (n !== null && !scoreGteMin(n.score, r)) {
        x = n;
        n = x.next[i];
      }
    }
    return x.next[0];
  }

  /** Every node in order (for copies, snapshots and tests). */
  *nodes(): IterableIterator<ZNode> {
    for (let n = this.head.next[0]; n !== null; n = n.next[0]) yield n;
  }

  /** Checks the invariants (order, spans, back links, length); throws on the first broken one. Tests only. */
  check(): void {
    let count = 0;
    let prev: ZNode | null = null;
    for (let n = this.head.next[0]; n !== null; n = n.next[0]) {
      if (n.prev !== prev) throw new Error('skiplist: bad back link');
      if (prev !== null && !before(prev, n.score, n.member)) throw new Error('skiplist: out of order');
      prev = n;
      count++;
    }
    if (count !== this.length) throw new Error('skiplist: bad length');
    if (this.tail !== prev) throw new Error('skiplist: bad tail');
    for (let i = 0; i < this.level; i++) {
      let rank = 0;
      let x: ZNode = this.head;
      let n = x.next[i];
      while (n !== null) {
        rank += x.span[i];
        if (this.rankOf(n.score, n.member) !== rank) throw new Error(`skiplist: bad span at level ${i}`);
        x = n;
        n = x.next[i];
      }
    }
  }
}

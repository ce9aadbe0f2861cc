/**
 * Cursor pagination: an async iterable that fetches the next page when the
 * current one runs out, so callers never see cursors.
 *
 * @module
 */

import type { Page } from "../../api/mod.ts";
import type { QueryParams } from "../../transport/transport.ts";
import type { CallOptions } from "../request_options.ts";
import type { ResourceClient } from "./types.ts";
import { requireWholeNumber } from "./_validate.ts";
import { displayable, type Renderers } from "../../jupyter/display.ts";
import type { MimeBundle } from "../../jupyter/render.ts";

/** How a resource builds a {@linkcode Listing}. */
export interface ListingInit<T> {
  /** Filters and page size. */
  query?: QueryParams;
  /** The options of the call, applied to every page's request. */
  call?: CallOptions;
  /**
   * How a notebook shows the items of {@linkcode Listing.toArray} and of
   * each page, with the renderers loaded.
   *
   * @default {renderListing}
   */
  render?: (renderers: Renderers, items: T[]) => MimeBundle;
}

/** Options for {@linkcode Listing.toArray}. */
export interface ToArrayOptions {
  /**
   * Stops after this many items, fetching no page beyond the one that holds
   * the last of them.
   *
   * @default {every item}
   */
  maxItems?: number;
}

/**
 * One page of a listing: its items, and the way to the next page. A notebook
 * shows it as the table of its items.
 *
 * @typeParam T The items' type.
 */
export class ListPage<T extends object> {
  /** The items of this page, at most the listing's `limit`. */
  readonly items: T[];
  /** The cursor of the next page, or `null` after the last. */
  readonly nextCursor: string | null;
  #next: (cursor: string) => Promise<ListPage<T>>;

  /**
   * Made by {@linkcode Listing}; not meant to be built by hand.
   *
   * @ignore
   * @param page What the server answered.
   * @param next Fetches the page at a cursor.
   */
  constructor(
    page: Page<T>,
    next: (cursor: string) => Promise<ListPage<T>>,
  ) {
    this.items = page.items;
    this.nextCursor = page.nextCursor ?? null;
    this.#next = next;
  }

  /**
   * Whether another page follows.
   *
   * @returns `true` when {@linkcode ListPage.getNextPage} has a page to fetch.
   */
  hasNextPage(): boolean {
    return this.nextCursor !== null;
  }

  /**
   * Fetches the next page, with the same filters and page size.
   *
   * @returns The next page.
   * @throws {RangeError} After the last page.
   */
  getNextPage(): Promise<ListPage<T>> {
    if (this.nextCursor === null) {
      return Promise.reject(new RangeError("No next page: this is the last"));
    }
    return this.#next(this.nextCursor);
  }
}

/**
 * A listing, in the three ways the best SDKs offer one: `await` it for its
 * first page ({@linkcode ListPage}: `items`, `nextCursor`, `hasNextPage()`,
 * `getNextPage()`); walk every item across pages with `for await`; or collect
 * them with {@linkcode Listing.toArray} (`{ maxItems }` bounds it), an array
 * that notebooks display as a table. The query's `limit` is the page size,
 * never a total.
 *
 * @typeParam T The items' type.
 *
 * @example
 * ```ts
 * import type { Client, FlowRun } from "@runplane/client";
 *
 * async function example(run: FlowRun, client: Client) {
 *   const page = await client.flowRuns.list({ state: "FAILED", limit: 20 });
 *   if (page.hasNextPage()) console.log((await page.getNextPage()).items);
 *   for await (const run of client.flowRuns.list({ limit: 50 })) console.log(run.id);
 *   const newest = await client.flowRuns.list().toArray({ maxItems: 10 });
 *   const lines = await client.logs.list({ flowRunId: run.id }).toArray();
 * }
 * ```
 */
export class Listing<T extends object>
  implements AsyncIterable<T>, PromiseLike<ListPage<T>> {
  #client: ResourceClient;
  #path: string;
  #init: ListingInit<T>;

  /**
   * Made by the resources' `list()` methods: nothing is sent until the first
   * item or page is asked for.
   *
   * @ignore
   * @param client The client to send through.
   * @param path The listing's path.
   * @param init Filters and page size, the call's options, and how a
   * notebook shows the items.
   */
  constructor(client: ResourceClient, path: string, init: ListingInit<T> = {}) {
    this.#client = client;
    this.#path = path;
    this.#init = init;
  }

  /**
   * Fetches the first page when awaited.
   *
   * @param onfulfilled Called with the first page.
   * @param onrejected Called with the error.
   * @returns What the callback returns.
   */
  then<A = ListPage<T>, B = never>(
    onfulfilled?: ((page: ListPage<T>) => A | PromiseLike<A>) | null,
    onrejected?: ((reason: unknown) => B | PromiseLike<B>) | null,
  ): Promise<A | B> {
    return this.#page(undefined).then(onfulfilled, onrejected);
  }

  /** Yields every item, fetching a page whenever the last one runs out. */
  async *[Symbol.asyncIterator](): AsyncGenerator<T, void, undefined> {
    let page: ListPage<T> | undefined = await this.#page(undefined);
    while (page !== undefined) {
      yield* page.items;
      page = page.hasNextPage() ? await page.getNextPage() : undefined;
    }
  }

  /**
   * Every item, or the first `maxItems`, in one array.
   *
   * @param options An optional bound on the number of items.
   * @returns The items.
   * @throws {InvalidArgumentError} When `maxItems` is not a whole number.
   */
  async toArray(options: ToArrayOptions = {}): Promise<T[]> {
    const max = options.maxItems === undefined
      ? Infinity
      : requireWholeNumber("maxItems", options.maxItems, 0);
    const items: T[] = [];
    if (max > 0) {
      for await (const item of this) {
        if (items.push(item) >= max) break;
      }
    }
    return displayable(items, this.#render);
  }

  get #render(): (renderers: Renderers, items: T[]) => MimeBundle {
    return this.#init.render ?? showListing;
  }

  async #page(cursor: string | undefined): Promise<ListPage<T>> {
    const { query = {}, call } = this.#init;
    const page = await this.#client.request<Page<T>>("GET", this.#path, {
      ...call,
      query: cursor === undefined ? query : { ...query, cursor },
    });
    // A notebook shows a page as the table of its items.
    return displayable(
      new ListPage(page, (next) => this.#page(next)),
      (renderers, shown) => this.#render(renderers, shown.items),
    );
  }
}

function showListing(renderers: Renderers, items: object[]): MimeBundle {
  return renderers.renderListing(items);
}

/** Types of bin/bundle.js (plain JavaScript: it runs before TypeScript can be compiled). */
export declare const BUNDLE_DIR: string;
export declare function bundleEntry(entry: string): Promise<string>;

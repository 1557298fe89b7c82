import type { ImageFacts } from '../model/image.js';
import type { Profile } from '../model/profile.js';

/** What every stack planner gets: the profile, image facts read from the folder the command runs in, and the environment. */
export interface StackContext {
  profile: Profile;
  facts: (filename: string, literal?: boolean) => ImageFacts | undefined;
  /** The environment the command would run with (LIBGUESTFS_BACKEND, ...). */
  env: Record<string, string | undefined>;
}

/** The volume fixture of the volume tests: every kind of entry, owner, mode, time and link. */
export const BIG_MIB = 200;

/**
 * Everything a real volume holds that a careless copy loses (a script for `inVolume`, volume at
 * /v), with `big.bin`: `randomMiB` of random bytes, extended to `sizeMiB` by a hole if given.
 */
export function trickyVolumeSeed(big: { randomMiB: number; sizeMiB?: number }): string {
  return `
set -e
cd /v
mkdir -p nested/deep/er "empty dir" "dir with space"
printf 'hello\\n' > nested/deep/er/file.txt
echo secret > private && chmod 0600 private
printf '#!/bin/sh\\necho hi\\n' > run.sh && chmod 0755 run.sh
echo suid > suid && chmod 4755 suid
echo owned > owned && chown 1234:5678 owned && chown 1234:5678 nested/deep "dir with space"
chmod 0700 "dir with space"
ln -s /etc/passwd abs-link
ln -s ../nowhere/missing dangling
ln -s nested/deep/er/file.txt rel-link
ln nested/deep/er/file.txt hard
echo accents > "résumé 2026.txt"
echo spaced > "dir with space/a file.txt"
head -c ${big.randomMiB * 1048576} /dev/urandom > big.bin${big.sizeMiB ? ` && truncate -s ${big.sizeMiB}M big.bin` : ''}
for f in nested/deep/er/file.txt private run.sh suid owned "résumé 2026.txt" big.bin "dir with space/a file.txt"; do touch -d "2001-02-03 04:05:06" "$f"; done
touch -h -d "2002-03-04 05:06:07" abs-link dangling rel-link
touch -d "2003-04-05 06:07:08" nested/deep/er nested/deep nested "empty dir" "dir with space" /v
`;
}

/** The volume tests' seed: a 200 MiB file of which 1 MiB is written (the rest a hole). */
export const TRICKY_VOLUME_SEED = trickyVolumeSeed({ randomMiB: 1, sizeMiB: BIG_MIB });

/**
 * The export's side of `shared/pictureNames.ts`: the pictures of a café's data, with their zip paths
 * and captions (the studio computes the same paths from what it knows).
 */
import { photoNames, synthesisPictures } from '../../shared/pictureNames'
import type { SynthesisImage } from '../../shared/synthesis'
import type { CafeData, PhotoData } from './cafeData'

/** Each photo with its path in the zip and its caption (table, question, round). */
export function photoEntries(data: CafeData): Array<{ photo: PhotoData; path: string; caption: string; shortCaption: string }> {
  return photoNames(data.definition, data.photos ?? [])
}

/** Every picture the synthesis may show: the end-of-round and final tablecloths, and the photos. */
export function synthesisImageRefs(data: CafeData): SynthesisImage[] {
  return synthesisPictures(data.definition, {
    snapshots: data.snapshots,
    finals: data.tablecloths.filter((t) => t.items.length > 0),
    photos: photoEntries(data),
  })
}

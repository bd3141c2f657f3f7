import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CopyObjectCommand,
  CreateMultipartUploadCommand,
  UploadPartCopyCommand,
  type S3Client,
} from '@aws-sdk/client-s3';

/** S3 copies at most 5 GiB in one request; larger objects are copied part by part. */
export const maxSingleCopyBytes = 5 * 1024 ** 3;
const defaultCopyPartBytes = 512 * 1024 ** 2;

export interface CopyWithMetadata {
  bucket: string;
  sourceKey: string;
  targetKey: string;
  size: number;
  contentType: string;
  metadata: Record<string, string>;
  singleCopyLimitBytes?: number;
  copyPartBytes?: number;
}

function copySource(bucket: string, key: string): string {
  // Encoded per segment: some servers decode the header with decodeURI, which leaves %2F alone.
  return `${bucket}/${key.split('/').map(encodeURIComponent).join('/')}`;
}

/** Server-side copy that replaces the metadata: the object appears under `targetKey` complete with it. */
export async function copyWithMetadata(client: S3Client, copy: CopyWithMetadata): Promise<void> {
  const source = copySource(copy.bucket, copy.sourceKey);
  if (copy.size <= (copy.singleCopyLimitBytes ?? maxSingleCopyBytes)) {
    await client.send(
      new CopyObjectCommand({
        Bucket: copy.bucket,
        Key: copy.targetKey,
        CopySource: source,
        MetadataDirective: 'REPLACE',
        ContentType: copy.contentType,
        Metadata: copy.metadata,
      }),
    );
    return;
  }
  const { UploadId } = await client.send(
    new CreateMultipartUploadCommand({
      Bucket: copy.bucket,
      Key: copy.targetKey,
      ContentType: copy.contentType,
      Metadata: copy.metadata,
    }),
  );
  try {
    const partBytes = copy.copyPartBytes ?? defaultCopyPartBytes;
    const parts: { ETag: string | undefined; PartNumber: number }[] = [];
    for (let start = 0, partNumber = 1; start < copy.size; start += partBytes, partNumber += 1) {
      const end = Math.min(start + partBytes, copy.size) - 1;
      const { CopyPartResult } = await client.send(
        new UploadPartCopyCommand({
          Bucket: copy.bucket,
          Key: copy.targetKey,
          UploadId,
          PartNumber: partNumber,
          CopySource: source,
          CopySourceRange: `bytes=${start}-${end}`,
        }),
      );
      parts.push({ ETag: CopyPartResult?.ETag, PartNumber: partNumber });
    }
    await client.send(
      new CompleteMultipartUploadCommand({
        Bucket: copy.bucket,
        Key: copy.targetKey,
        UploadId,
        MultipartUpload: { Parts: parts },
      }),
    );
  } catch (error) {
    await client
      .send(new AbortMultipartUploadCommand({ Bucket: copy.bucket, Key: copy.targetKey, UploadId }))
      .catch(() => {});
    throw error;
  }
}

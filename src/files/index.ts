export { uploadFile, downloadFile, type TransferOptions, type TransferResult } from './transfer.js';
export { remoteFs, type RemoteFs, type RemoteFsOptions } from './remote-fs.js';
export { RemoteFileError, codeFromMessage, type RemoteFileErrorCode } from './errors.js';
export { parseListing, parseStatLine, type RemoteDirEntry, type RemoteFileStat, type RemoteFileType } from './listing.js';
export { FILES_SCRIPT } from './script.js';
export { DEFAULT_MAX_ATTACHMENT_BYTES, type Attachment, type AttachmentOptions } from './attachment-types.js';

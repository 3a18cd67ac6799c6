/** File transfer in `papo client` (issue #14): commands, uploads, downloads, progress. */
export { defaultDownloadDir } from './download-dir.js';
export { parseFileCommand, type FileCommand } from './file-command.js';
export { fileOfferText } from './render-file.js';
export type { FileMessage, FileOfferRequest, UploadSlotMessage } from './messages.js';
export { progressText, type Progress } from './progress.js';
export { FILE_TEXTS } from './texts.js';
export { Transfers, type TransferHost } from './transfers.js';

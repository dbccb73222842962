/**
 * `--image FILE` and `--document FILE` (repeatable) on `stream` and `chat`, and `--guardrail ID:VERSION`:
 * files read into content parts (media type or document format from the extension), with an error that
 * names the file and the fix when it is missing or of a kind Bedrock does not take.
 */
import { readFileSync } from 'node:fs';
import { basename, extname } from 'node:path';
import { InvalidArgumentError, type Command } from 'commander';
import type { ContentPart, DocumentFormat, GuardrailConfig, ImageMediaType } from '../index.js';

const IMAGE_TYPES: Record<string, ImageMediaType> = {
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.gif': 'image/gif',
  '.webp': 'image/webp',
};

const DOCUMENT_FORMATS: Record<string, DocumentFormat> = {
  '.pdf': 'pdf',
  '.csv': 'csv',
  '.doc': 'doc',
  '.docx': 'docx',
  '.xls': 'xls',
  '.xlsx': 'xlsx',
  '.html': 'html',
  '.htm': 'html',
  '.txt': 'txt',
  '.md': 'md',
};

export interface AttachmentFlags {
  image: ContentPart[];
  document: ContentPart[];
  guardrail?: GuardrailConfig;
}

export function addAttachmentOptions(command: Command): Command {
  return command
    .option('--image <file>', 'attach an image (png, jpg, gif, webp); repeatable', imageFlag, [])
    .option(
      '--document <file>',
      'attach a document (pdf, csv, doc(x), xls(x), html, txt, md); repeatable',
      documentFlag,
      [],
    )
    .option('--guardrail <id:version>', 'apply a Bedrock guardrail (e.g. abc123:1 or abc123:DRAFT)', guardrailFlag);
}

function readFile(file: string, kind: string): Uint8Array {
  try {
    return readFileSync(file);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new InvalidArgumentError(
      code === 'ENOENT'
        ? `no such file: ${file} (check the path of the ${kind})`
        : `cannot read ${file}: ${(error as Error).message}`,
    );
  }
}

function imageFlag(file: string, previous: ContentPart[]): ContentPart[] {
  const mediaType = IMAGE_TYPES[extname(file).toLowerCase()];
  if (mediaType === undefined) {
    throw new InvalidArgumentError(
      `${file}: unknown image type "${extname(file) || '(no extension)'}"; Bedrock takes ${Object.keys(IMAGE_TYPES).join(', ')} (convert it, or name the file with its real extension)`,
    );
  }
  return [...previous, { type: 'image', mediaType, data: readFile(file, 'image') }];
}

function documentFlag(file: string, previous: ContentPart[]): ContentPart[] {
  const extension = extname(file).toLowerCase();
  const format = DOCUMENT_FORMATS[extension];
  if (format === undefined) {
    throw new InvalidArgumentError(
      `${file}: unknown document type "${extension || '(no extension)'}"; Bedrock takes ${Object.keys(DOCUMENT_FORMATS).join(', ')}${extension in IMAGE_TYPES ? ' (for an image use --image)' : ''}`,
    );
  }
  return [...previous, { type: 'document', format, name: documentName(file), data: readFile(file, 'document') }];
}

/** The file name without its extension, in the characters Bedrock allows in a document name. */
function documentName(file: string): string {
  const name = basename(file, extname(file))
    .replace(/[^\p{L}\p{N}\-()[\] ]+/gu, ' ')
    .replace(/ {2,}/g, ' ')
    .trim()
    .slice(0, 200);
  return name === '' ? 'document' : name;
}

/** `--guardrail <id>:<version>` (also on `serve`). */
export function guardrailFlag(value: string): GuardrailConfig {
  const match = /^([^:\s]+):([^:\s]+)$/.exec(value);
  if (match === null)
    throw new InvalidArgumentError(`expected <id>:<version> (e.g. abc123:1 or abc123:DRAFT), got "${value}"`);
  return { id: match[1]!, version: match[2]! };
}

/** The user turn's content: the attachments first, then the text (as Bedrock's examples order them). */
export function userContent(text: string, flags: AttachmentFlags): string | ContentPart[] {
  const attachments = [...flags.image, ...flags.document];
  return attachments.length === 0 ? text : [...attachments, { type: 'text', text }];
}

export function guardrailField(flags: Pick<AttachmentFlags, 'guardrail'>): { guardrail?: GuardrailConfig } {
  return flags.guardrail === undefined ? {} : { guardrail: flags.guardrail };
}

"""Uploads larger than any import takes are read past, never kept.

Django keeps a small upload in memory and writes a large one to a temporary file,
whatever its size. This handler, first in FILE_UPLOAD_HANDLERS, stops passing a
file on once it is larger than the import limit: the rest of the request is still
read (the form's other fields may follow the file), but neither memory nor disk
holds more than the limit, and the form receives an empty stand-in of the real
size, which the spreadsheet reader refuses as too large, saying the size.
"""

from __future__ import annotations

import io

from django.core.files.uploadedfile import InMemoryUploadedFile
from django.core.files.uploadhandler import FileUploadHandler

from jxc.table_limits import MAX_BYTES


class SizeLimitUploadHandler(FileUploadHandler):
    limit = MAX_BYTES

    def new_file(self, *args, **kwargs):
        super().new_file(*args, **kwargs)
        self.received = 0

    def receive_data_chunk(self, raw_data, start):
        self.received += len(raw_data)
        # None: the handlers after this one never see the chunk.
        return raw_data if self.received <= self.limit else None

    def file_complete(self, file_size):
        if self.received <= self.limit:
            return None  # the next handler has the whole file
        return InMemoryUploadedFile(
            io.BytesIO(),
            self.field_name,
            self.file_name,
            self.content_type,
            self.received,
            self.charset,
            self.content_type_extra,
        )

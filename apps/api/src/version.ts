/** Version of this package (printed in the OpenAPI document and offcode_build_info). */
export const API_VERSION = '0.1.0';

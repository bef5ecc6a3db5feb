export * from './api-keys.js'
export * from './articles.js'
export * from './authors.js'
export * from './tags.js'

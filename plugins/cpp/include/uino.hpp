// uino.hpp — header-only C++17 RAII wrapper over uino.h (libuino.so). Link Uino::uino.
//
//   uino::Session session(uino::SessionOptions{}.model("model.safetensors"));
//   session.add_reference(uino::Image(ref_pixels, w, h, uino::PixelFormat::Rgb8), ref_mask);
//   std::vector<uint8_t> mask(frame_w * frame_h);
//   float score = session.segment(uino::Image(frame_pixels, frame_w, frame_h, uino::PixelFormat::Bgr8), mask.data());
//
// Errors become uino::Error exceptions carrying the UinoCode and the library's message. Threading rules are those
// of uino.h: one Session per thread for parallel frames; a Session shared by threads runs their calls one at a
// time; destroying a Session while another thread is inside a call on it is a bug. Session is move-only;
// moved-from sessions are empty.
#ifndef UINO_HPP
#define UINO_HPP

#include "uino.h"

#include <cstddef>
#include <cstdint>
#include <stdexcept>
#include <string>
#include <utility>

namespace uino {

enum class Code : int {
    Ok = UINO_OK, InvalidArgument = UINO_INVALID_ARGUMENT, NotFound = UINO_NOT_FOUND, InvalidModel = UINO_INVALID_MODEL,
    NoReference = UINO_NO_REFERENCE, RuntimeError = UINO_RUNTIME_ERROR, OutOfMemory = UINO_OUT_OF_MEMORY,
};

enum class PixelFormat : int32_t {
    Rgb8 = UINO_PIXEL_RGB8, Bgr8 = UINO_PIXEL_BGR8, Rgba8 = UINO_PIXEL_RGBA8, Bgra8 = UINO_PIXEL_BGRA8, Gray8 = UINO_PIXEL_GRAY8,
};

inline int bytes_per_pixel(PixelFormat f) noexcept {
    switch (f) {
        case PixelFormat::Rgb8: case PixelFormat::Bgr8: return 3;
        case PixelFormat::Rgba8: case PixelFormat::Bgra8: return 4;
        case PixelFormat::Gray8: return 1;
    }
    return 0;
}

/// A failed call: the library's code and message.
class Error : public std::runtime_error {
public:
    Error(Code code, const std::string& message) : std::runtime_error(message), code_(code) {}
    Code code() const noexcept { return code_; }
private:
    Code code_;
};

namespace detail {
/// Takes ownership of a status: releases it, throws if it is an error.
inline void check(UinoStatus* status) {
    if (status == nullptr) return;
    Code code = static_cast<Code>(uino_status_code(status));
    std::string message = uino_status_message(status);
    uino_status_release(status);
    throw Error(code, message);
}
}  // namespace detail

/// A non-owning view of caller pixels (rows stride_bytes apart; 0 = tightly packed).
class Image {
public:
    Image(const uint8_t* data, int32_t width, int32_t height, PixelFormat format, int32_t stride_bytes = 0) noexcept
        : view_{data, width, height, stride_bytes != 0 ? stride_bytes : width * bytes_per_pixel(format),
                static_cast<int32_t>(format)} {}
    int32_t width() const noexcept { return view_.width; }
    int32_t height() const noexcept { return view_.height; }
    int32_t stride_bytes() const noexcept { return view_.stride_bytes; }
    PixelFormat format() const noexcept { return static_cast<PixelFormat>(view_.format); }
    const UinoImage* c_image() const noexcept { return &view_; }
private:
    UinoImage view_;
};

/// Settings of a session; strings are copied, so temporaries are fine.
class SessionOptions {
public:
    SessionOptions& model(std::string path) { model_ = std::move(path); has_model_ = true; return *this; }
    SessionOptions& device(std::string name) { device_ = std::move(name); return *this; }
    SessionOptions& num_threads(int32_t n) { threads_ = n; return *this; }
    UinoSessionOptions c_options() const noexcept {
        UinoSessionOptions o{};
        o.struct_size = sizeof(UinoSessionOptions);
        o.model_path = has_model_ ? model_.c_str() : nullptr;
        o.device = device_.empty() ? nullptr : device_.c_str();
        o.num_threads = threads_;
        return o;
    }
private:
    std::string model_, device_;
    bool has_model_ = false;
    int32_t threads_ = 0;
};

/// One model and its references. Move-only; releases the session on destruction.
class Session {
public:
    explicit Session(const SessionOptions& options = SessionOptions{}) {
        UinoSessionOptions o = options.c_options();
        detail::check(uino_session_create(&o, &handle_));
    }
    ~Session() { uino_session_release(handle_); }
    Session(Session&& other) noexcept : handle_(std::exchange(other.handle_, nullptr)) {}
    Session& operator=(Session&& other) noexcept {
        if (this != &other) { uino_session_release(handle_); handle_ = std::exchange(other.handle_, nullptr); }
        return *this;
    }
    Session(const Session&) = delete;
    Session& operator=(const Session&) = delete;

    /// Adds a reference shot; mask has image.width() x image.height() bytes (nonzero = object).
    void add_reference(const Image& image, const uint8_t* mask, int32_t mask_stride_bytes = 0) {
        detail::check(uino_session_add_reference(handle_, image.c_image(), mask,
                                                 mask_stride_bytes != 0 ? mask_stride_bytes : image.width()));
    }
    void clear_references() { detail::check(uino_session_clear_references(handle_)); }

    /// Writes frame.width() x frame.height() bytes (255 object, 0 not) into mask_out; returns the confidence.
    float segment(const Image& frame, uint8_t* mask_out, int32_t mask_out_stride_bytes = 0) {
        float score = 0.0f;
        detail::check(uino_session_segment(handle_, frame.c_image(), mask_out,
                                           mask_out_stride_bytes != 0 ? mask_out_stride_bytes : frame.width(), &score));
        return score;
    }

    UinoSession* get() const noexcept { return handle_; }
    explicit operator bool() const noexcept { return handle_ != nullptr; }

private:
    UinoSession* handle_ = nullptr;
};

inline uint32_t api_version() noexcept { return uino_api_version(); }
inline std::string version_string() { return uino_version_string(); }

}  // namespace uino

#endif  // UINO_HPP
